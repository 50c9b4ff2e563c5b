// service-kit provides the parsed environment under SERVICE_ENV; this app's full `Env` is what it holds.
export { SERVICE_ENV as ENV } from '@pollcast/service-kit';
