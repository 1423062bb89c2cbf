import { createApi } from '@communities/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { PreviewApp } from './preview-app';

/**
 * Signs in as a demo user (?as=<user id>, the first student by default) through the demo
 * server's token endpoint, then shows the screens as a host app would embed them.
 */
async function main() {
  const params = new URLSearchParams(location.search);
  const baseUrl = location.origin;
  const api = createApi({ baseUrl });
  const users = (await api.system.demoUsers()).items;
  const asId = Number(params.get('as')) || users.find((u) => u.global_role === 'student')?.id || users[0]!.id;
  const { token } = await api.system.demoToken({ body: { user_id: asId } });
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <PreviewApp baseUrl={baseUrl} token={token} />
    </StrictMode>,
  );
}

void main();
