export { DateTemplateError, type DateTemplateErrorCode } from './errors';
export { compileJavaPattern, type JavaDateFormat } from './java-pattern';
export { resolveZone } from './zones';
export { compileUrlTemplate, type UrlTemplate } from './url-template';
export { parseRecordDate } from './record-date';
