// The refresh interval: a slider for the usual range and a number input for up to a day.
const MAX_SLIDER_MINUTES = 60;
const MAX_REFRESH_MINUTES = 1440;

export function RefreshInterval({
  minutes,
  onChange,
  errors,
}: {
  readonly minutes: number;
  readonly onChange: (minutes: number) => void;
  readonly errors: readonly string[];
}) {
  const clamp = (value: number) => Math.min(MAX_REFRESH_MINUTES, Math.max(1, Math.round(value)));
  return (
    <fieldset className="field refresh-interval">
      <legend>Event poller refresh interval (minutes)</legend>
      <div className="refresh-controls">
        <input
          type="range"
          id="refresh-interval-slider"
          aria-label="Refresh interval slider (minutes)"
          min={1}
          max={MAX_SLIDER_MINUTES}
          value={Math.min(minutes, MAX_SLIDER_MINUTES)}
          onChange={(event) => onChange(clamp(Number(event.target.value)))}
        />
        <input
          type="number"
          id="config-event-poller-refresh_interval"
          aria-label="Refresh interval in minutes"
          min={1}
          max={MAX_REFRESH_MINUTES}
          value={minutes}
          onChange={(event) => {
            const value = Number(event.target.value);
            if (Number.isFinite(value) && event.target.value !== '') onChange(clamp(value));
          }}
          aria-invalid={errors.length > 0 ? true : undefined}
          aria-describedby={errors.length > 0 ? 'refresh-interval-error' : undefined}
        />
      </div>
      {errors.length > 0 && (
        <div className="field-error" id="refresh-interval-error">
          {errors.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
