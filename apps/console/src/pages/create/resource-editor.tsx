// One resource of the poller configuration as a form: URL, ID field, Advanced Filtering (dates) and
// Deletions (off, reconcile, flag).
import { FieldMessages, TextField } from '../../components/field';
import { resourceFieldId } from '../../lib/error-paths';
import {
  dateKey,
  datesOf,
  deletionsMode,
  deletionsOf,
  flagValueText,
  withDeletionsMode,
  withDeletionsValue,
  type DeletionsMode,
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
  const deletions = deletionsOf(config);
  const mode = deletionsMode(config);
  const deletionFields = [
    'deletions',
    'deletions.mode',
    'deletions.intervalMinutes',
    'deletions.field',
    'deletions.value',
  ];
  const shownFields = new Set([
    'url',
    'idField',
    ...dateFields.map((input) => input.field),
    ...deletionFields,
  ]);
  const errorsOf = (field: string) =>
    issues.filter((issue) => issue.field === field).map((issue) => issue.message);
  const otherErrors = issues
    .filter((issue) => !shownFields.has(issue.field))
    .map((issue) => (issue.field === '' ? issue.message : `${issue.field}: ${issue.message}`));
  const hasDateErrors = dateFields.some((input) => errorsOf(input.field).length > 0);
  const deletionErrors = [...errorsOf('deletions'), ...errorsOf('deletions.mode')];
  const hasDeletionErrors = deletionFields.some((field) => errorsOf(field).length > 0);
  const modeId = resourceFieldId(resource, 'deletions.mode');
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
      <details className="advanced" open={hasDeletionErrors || mode !== 'off' ? true : undefined}>
        <summary>Deletions</summary>
        <div className="field">
          <label htmlFor={modeId}>Detect deleted records</label>
          <select
            id={modeId}
            value={mode}
            onChange={(event) =>
              onChange(withDeletionsMode(configuration, resource, event.target.value as DeletionsMode))
            }
            aria-invalid={deletionErrors.length > 0 ? true : undefined}
            aria-describedby={`${modeId}-hint${deletionErrors.length > 0 ? ` ${modeId}-error` : ''}`}
          >
            <option value="off">Off (as Open Connectors)</option>
            <option value="reconcile">Reconcile: list every id now and then</option>
            <option value="flag">Flag: a field marks deleted records</option>
          </select>
          <FieldMessages id={modeId} hint="Deleted records become DELETED events." errors={deletionErrors} />
        </div>
        {mode === 'reconcile' && (
          <TextField
            id={resourceFieldId(resource, 'deletions.intervalMinutes')}
            label="Every (minutes)"
            placeholder="1440"
            inputMode="numeric"
            value={stringValue(deletions['intervalMinutes'])}
            onChange={(value) =>
              onChange(withDeletionsValue(configuration, resource, 'intervalMinutes', value))
            }
            errors={errorsOf('deletions.intervalMinutes')}
            hint="Default 1440 (daily)"
          />
        )}
        {mode === 'flag' && (
          <div className="date-grid">
            <TextField
              id={resourceFieldId(resource, 'deletions.field')}
              label="Field"
              placeholder="Deleted"
              value={stringValue(deletions['field'])}
              onChange={(value) => onChange(withDeletionsValue(configuration, resource, 'field', value))}
              errors={errorsOf('deletions.field')}
            />
            <TextField
              id={resourceFieldId(resource, 'deletions.value')}
              label="Value"
              placeholder="true"
              value={flagValueText(deletions['value'])}
              onChange={(value) => onChange(withDeletionsValue(configuration, resource, 'value', value))}
              errors={errorsOf('deletions.value')}
              hint="true, false, null and numbers are JSON; anything else is text"
            />
          </div>
        )}
      </details>
    </fieldset>
  );
}
