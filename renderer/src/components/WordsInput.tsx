/** A box for the words to look for: search terms, not prose, so the browser neither autocompletes nor spell-checks them. */
export function WordsInput({
  id,
  type,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  type: 'search' | 'text';
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}) {
  return (
    <input id={id} type={type} value={value} placeholder={placeholder} autoComplete="off" spellCheck={false} onChange={(event) => onChange(event.target.value)} />
  );
}
