// Small presentational pieces shared by the pages.
import { useEffect, useRef, type ReactNode } from 'react';
import { followLink } from '../lib/router';
import { AlertIcon, CheckIcon } from './icons';

export function AppLink({
  to,
  children,
  className,
}: {
  readonly to: string;
  readonly children: ReactNode;
  readonly className?: string;
}) {
  return (
    <a href={to} className={className} onClick={(event) => followLink(event, to)}>
      {children}
    </a>
  );
}

/** The page title; it takes focus when the page opens so keyboard and screen-reader users start there. */
export function PageTitle({ children }: { readonly children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}

export type Tone = 'good' | 'bad' | 'neutral' | 'warn';

export function Badge({ tone, children }: { readonly tone: Tone; readonly children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Notice({
  tone,
  children,
  id,
}: {
  readonly tone: 'error' | 'success' | 'info';
  readonly children: ReactNode;
  readonly id?: string;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'} id={id}>
      {tone === 'error' ? <AlertIcon /> : tone === 'success' ? <CheckIcon /> : null}
      <div>{children}</div>
    </div>
  );
}

export function Spinner({ label }: { readonly label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function formatDate(value: string | undefined): string {
  if (value === undefined) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** Renders a value we do not know the meaning of: scalars as text, the rest as compact JSON. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return ISO_INSTANT.test(value) ? formatDate(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// Yes/no columns as the words a person would say, in a badge: [when true, when false, tone when true].
const BOOLEAN_WORDS: Record<string, readonly [string, string, Tone]> = {
  running: ['running', 'idle', 'warn'],
  enabled: ['enabled', 'disabled', 'good'],
  eventsEnabled: ['events on', 'events off', 'good'],
  active: ['active', 'inactive', 'good'],
  paused: ['paused', 'not paused', 'warn'],
};

/** A table cell: booleans as worded badges, everything else as `displayValue`. */
export function cellContent(column: string, value: unknown): ReactNode {
  if (typeof value !== 'boolean') return displayValue(value);
  const [whenTrue, whenFalse, tone] = BOOLEAN_WORDS[column] ?? ['yes', 'no', 'neutral'];
  return <Badge tone={value ? tone : 'neutral'}>{value ? whenTrue : whenFalse}</Badge>;
}

/** "lastPollDate" → "Last poll date". */
export function humanize(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A table for rows whose shape belongs to another service: columns are the union of the rows' keys
 * (first rows first), with `preferred` keys leading.
 */
export function GenericTable({
  rows,
  caption,
  preferred = [],
  maxColumns = 8,
  emptyText,
}: {
  readonly rows: readonly Record<string, unknown>[];
  readonly caption: string;
  readonly preferred?: readonly string[];
  readonly maxColumns?: number;
  readonly emptyText: string;
}) {
  if (rows.length === 0) return <p className="empty">{emptyText}</p>;
  const seen = new Set<string>();
  for (const key of preferred) if (rows.some((row) => key in row)) seen.add(key);
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  const columns = [...seen].slice(0, maxColumns);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {humanize(column)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => (
                <td key={column}>{cellContent(column, row[column])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
