import { useState } from 'react';

import { hue, initials } from '../lib/format';

export function Avatar({ name, url, size = 36 }: { name: string; url: string | null; size?: number }) {
  const [broken, setBroken] = useState(false);
  const style = { width: size, height: size, fontSize: size * 0.4, background: `hsl(${hue(name)} 55% 55%)` };
  return url && !broken ? (
    <img className="cm-avatar" src={url} alt="" style={style} onError={() => setBroken(true)} />
  ) : (
    <span className="cm-avatar" aria-hidden="true" style={style}>
      {initials(name)}
    </span>
  );
}
