// One resource of the poller configuration as a form: URL, ID field and Advanced Filtering (dates).
import { TextField } from '../../components/field';
import { resourceFieldId } from '../../lib/error-paths';
import {
  dateKey,
  datesOf,
  resourceConfig,
  stringValue,
  withDateValue,
  withResourceValue,
  type DateKind,
  type DatePart,
  type PollerConfiguration,
} from '../../lib/poller-config';

export interface ResourceIssue {
  /** Path inside the resource, e.g. `url` or `datesConfiguration.updatedAtFormat`; '' = the resource. */
  readonly field: string;
  readonly message: string;
}

const DATE_INPUTS: readonly { kind: DateKind; part: DatePart; label: string; placeholder: string }[] = [
  { kind: 'updated', part: 'Field', label: 'Updated date field', placeholder: 'LastModifyDate' },
  { kind: 'updated', part: 'Format', label: 'Updated date format', placeholder: "yyyy-MM-dd'T'HH:mm:ssXXX" },
  { kind: 'updated', part: 'Timezone', label: 'Updated date zone', placeholder: 'GMT' },
  { kind: 'created', part: 'Field', label: 'Created date field', placeholder: 'CreationDate' },
  { kind: 'created', part: 'Format', label: 'Created date format', placeholder: "yyyy-MM-dd'T'HH:mm:ssXXX" },
  { kind: 'created', part: 'Timezone', label: 'Created date zone', placeholder: 'GMT' },
];

export function ResourceEditor({
  resource,
  configuration,
  onChange,
  issues,
}: {
  readonly resource: string;
  readonly configuration: PollerConfiguration;
  readonly onChange: (configuration: PollerConfiguration) => void;
  readonly issues: readonly ResourceIssue[];
}) {
  const config = resourceConfig(configuration, resource);
  const dates = datesOf(config);
  const dateFields = DATE_INPUTS.map((input) => ({
    ...input,
    field: `datesConfiguration.${dateKey(dates, input.kind, input.part)}`,
  }));
  const shownFields = new Set(['url', 'idField', ...dateFields.map((input) => input.field)]);
  const errorsOf = (field: string) =>
    issues.filter((issue) => issue.field === field).map((issue) => issue.message);
  const otherErrors = issues
    .filter((issue) => !shownFields.has(issue.field))
    .map((issue) => (issue.field === '' ? issue.message : `${issue.field}: ${issue.message}`));
  const hasDateErrors = dateFields.some((input) => errorsOf(input.field).length > 0);
  const cardId = resourceFieldId(resource, '');

  return (
    <fieldset
      className="resource-editor card"
      id={cardId}
      tabIndex={-1}
      aria-describedby={otherErrors.length > 0 ? `${cardId}-error` : undefined}
    >
      <legend>{resource}</legend>
      {otherErrors.length > 0 && (
        <div className="field-error" id={`${cardId}-error`}>
          {otherErrors.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      <TextField
        id={resourceFieldId(resource, 'url')}
        label="URL"
        className="mono"
        value={stringValue(config['url'])}
        onChange={(value) => onChange(withResourceValue(configuration, resource, 'url', value))}
        errors={errorsOf('url')}
        hint={
          <>
            Hub path with a date placeholder, e.g. <code>{"${gmtDate:yyyy-MM-dd'T'HH:mm:ssXXX}"}</code>
          </>
        }
      />
      <TextField
        id={resourceFieldId(resource, 'idField')}
        label="ID field"
        value={stringValue(config['idField'])}
        onChange={(value) => onChange(withResourceValue(configuration, resource, 'idField', value))}
        errors={errorsOf('idField')}
      />
      <details className="advanced" open={hasDateErrors ? true : undefined}>
        <summary>Advanced Filtering</summary>
        <div className="date-grid">
          {dateFields.map((input) => (
            <TextField
              key={input.field}
              id={resourceFieldId(resource, input.field)}
              label={input.label}
              placeholder={input.placeholder}
              value={stringValue(dates[dateKey(dates, input.kind, input.part)])}
              onChange={(value) =>
                onChange(withDateValue(configuration, resource, input.kind, input.part, value))
              }
              errors={errorsOf(input.field)}
            />
          ))}
        </div>
      </details>
    </fieldset>
  );
}
