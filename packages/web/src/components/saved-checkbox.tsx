import { useEffect, useState, type InputHTMLAttributes } from 'react';

/**
 * A checkbox for a saved setting that moves when touched: it shows the click at once, then follows
 * `checked` (the saved value) again whenever that changes or the save settles (`revision`, e.g. the
 * mutation's status), so a refused save puts it back. A box bound only to the server's answer
 * stays put until the answer comes, and reads as broken.
 */
export function SavedCheckbox({
  checked,
  revision,
  onChecked,
  ...rest
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'checked' | 'onChange'> & {
  checked: boolean;
  revision?: unknown;
  onChecked: (next: boolean) => void;
}) {
  const [shown, setShown] = useState(checked);
  useEffect(() => setShown(checked), [checked, revision]);
  return (
    <input
      type="checkbox"
      {...rest}
      checked={shown}
      onChange={(e) => {
        setShown(e.target.checked);
        onChecked(e.target.checked);
      }}
    />
  );
}
