// "Resources to poll": a multi-select as a group of checkboxes (native keyboard and screen-reader support).
import type { ElementResource } from '../../api/types';

export function ResourcePicker({
  resources,
  selected,
  onChange,
  disabled,
}: {
  readonly resources: readonly ElementResource[];
  readonly selected: readonly string[];
  readonly onChange: (selected: string[]) => void;
  readonly disabled: boolean;
}) {
  const toggle = (name: string, checked: boolean) => {
    // Keep the catalog's order so the JSON does not reshuffle as boxes are ticked.
    const next = new Set(selected);
    if (checked) next.add(name);
    else next.delete(name);
    const catalogOrder = resources
      .map((resource) => resource.name)
      .filter((resourceName) => next.has(resourceName));
    const custom = selected.filter(
      (resourceName) => next.has(resourceName) && !catalogOrder.includes(resourceName),
    );
    onChange([...catalogOrder, ...custom]);
  };
  return (
    <fieldset className="resource-picker" disabled={disabled}>
      <legend>Resources to poll</legend>
      {disabled && <p className="hint">Fix the JSON in the code view to change the selection here.</p>}
      <div className="choice-grid">
        {resources.map((resource) => (
          <label key={resource.name} className="choice">
            <input
              type="checkbox"
              checked={selected.includes(resource.name)}
              onChange={(event) => toggle(resource.name, event.target.checked)}
            />
            <span>
              <strong>{resource.name}</strong>
              {resource.description !== undefined && <span className="muted"> {resource.description}</span>}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
