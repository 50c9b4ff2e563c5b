// Tags as removable chips; Enter or comma adds the typed tag, Backspace on an empty input removes the last.
import { useState } from 'react';
import { describedBy, FieldMessages } from '../../components/field';
import { CloseIcon } from '../../components/icons';

export function TagsInput({
  id,
  tags,
  onChange,
  errors,
}: {
  readonly id: string;
  readonly tags: readonly string[];
  readonly onChange: (tags: string[]) => void;
  readonly errors: readonly string[];
}) {
  const [draft, setDraft] = useState('');
  const add = (value: string) => {
    const tag = value.trim();
    if (tag !== '' && !tags.includes(tag)) onChange([...tags, tag]);
    setDraft('');
  };
  const hint = 'Press Enter or comma to add a tag.';
  return (
    <div className="field">
      <label htmlFor={id}>Tags</label>
      <div className="tags-input">
        {tags.map((tag) => (
          <span key={tag} className="tag">
            {tag}
            <button
              type="button"
              className="tag-remove"
              aria-label={`Remove tag ${tag}`}
              onClick={() => onChange(tags.filter((existing) => existing !== tag))}
            >
              <CloseIcon />
            </button>
          </span>
        ))}
        <input
          id={id}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === ',') {
              event.preventDefault();
              add(draft);
            } else if (event.key === 'Backspace' && draft === '' && tags.length > 0) {
              onChange(tags.slice(0, -1));
            }
          }}
          onBlur={() => add(draft)}
          aria-invalid={errors.length > 0 ? true : undefined}
          aria-describedby={describedBy(id, hint, errors)}
        />
      </div>
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}
