/** Lives inside the embed's shadow roots only: `:host { all: initial }` keeps the host page's CSS out. */
export const EMBED_CSS = `
:host { all: initial; display: block; }
:host([data-communities-embed="messages"]) { display: inline-block; }
* { box-sizing: border-box; }
.bar, .msg { font: 500 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.bar { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.btn, .msg { display: inline-flex; align-items: center; gap: 8px; padding: 8px 14px; border-radius: 10px;
  text-decoration: none; border: 1px solid #5b5bd6; background: #5b5bd6; color: #fff; cursor: pointer; }
.btn.ghost { background: #fff; color: #5b5bd6; }
.btn:hover, .msg:hover { filter: brightness(1.08); }
.btn:focus-visible, .msg:focus-visible { outline: 3px solid #a5b4fc; outline-offset: 2px; }
.msg { background: #fff; color: #1f2330; border-color: #e4e7ec; box-shadow: 0 4px 16px rgb(16 24 40 / 14%); }
.floating { position: fixed; inset-inline-end: 20px; bottom: 20px; z-index: 2147483000; border-radius: 999px; }
.icon { color: #5b5bd6; }
.badge { min-width: 20px; height: 20px; padding: 0 6px; border-radius: 999px; background: #e5484d; color: #fff;
  font-size: 12px; font-weight: 700; display: inline-grid; place-items: center; }
.badge[hidden] { display: none; }
@media (max-width: 480px) { .floating { inset-inline-end: 12px; bottom: 12px; } }
.floating.bell { bottom: 76px; }
@media (max-width: 480px) { .floating.bell { bottom: 64px; } }
`;
