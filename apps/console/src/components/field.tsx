// A labelled input with hint and error text wired through aria-describedby, so screen readers read
// the message with the field and the field is marked invalid.
import type { InputHTMLAttributes, ReactNode } from 'react';

export function describedBy(
  id: string,
  hint: ReactNode | undefined,
  errors: readonly string[],
): string | undefined {
  const ids = [hint === undefined ? undefined : `${id}-hint`, errors.length > 0 ? `${id}-error` : undefined];
  const joined = ids.filter((value) => value !== undefined).join(' ');
  return joined === '' ? undefined : joined;
}

export function FieldMessages({
  id,
  hint,
  errors,
}: {
  readonly id: string;
  readonly hint?: ReactNode;
  readonly errors: readonly string[];
}) {
  return (
    <>
      {hint !== undefined && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <div className="field-error" id={`${id}-error`}>
          {errors.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
    </>
  );
}

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'id'> {
  readonly id: string;
  readonly label: ReactNode;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hint?: ReactNode;
  readonly errors?: readonly string[];
}

export function TextField({
  id,
  label,
  value,
  onChange,
  hint,
  errors = [],
  className,
  ...inputProps
}: TextFieldProps) {
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={errors.length > 0 ? true : undefined}
        aria-describedby={describedBy(id, hint, errors)}
        {...inputProps}
      />
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}

/** An on/off switch: a real button with role="switch", so Space/Enter toggle it. */
export function Switch({
  id,
  label,
  checked,
  onChange,
  hint,
  errors = [],
}: {
  readonly id: string;
  readonly label: ReactNode;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly hint?: ReactNode;
  readonly errors?: readonly string[];
}) {
  return (
    <div className="field field-switch">
      <button
        type="button"
        id={id}
        role="switch"
        aria-checked={checked}
        className="switch"
        onClick={() => onChange(!checked)}
        aria-describedby={describedBy(id, hint, errors)}
        aria-labelledby={`${id}-label`}
      >
        <span className="switch-thumb" aria-hidden="true" />
      </button>
      <span id={`${id}-label`} className="switch-label" onClick={() => onChange(!checked)}>
        {label}
      </span>
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}
