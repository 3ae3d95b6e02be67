export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1c1e; }
  main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem;
         border-radius: 8px; box-shadow: 0 1px 4px rgb(0 0 0 / 15%); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  button { font: inherit; padding: .5rem 1rem; margin: .25rem 0; border-radius: 6px;
           border: 1px solid #0a5bd3; background: #0a5bd3; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #0a5bd3; }
  button:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
  ul.plain { list-style: none; padding: 0; }
  code { background: #eef0f3; padding: 0 .25rem; border-radius: 3px; }
  .error { color: #a4000f; }
  table { border-collapse: collapse; } td, th { padding: .25rem .5rem; text-align: left;
  vertical-align: top; border-bottom: 1px solid #e3e5e8; }
`;

/** A complete, self-contained HTML page (no external resources). */
export function page(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
${script ? `<script>${script}</script>` : ''}
</body>
</html>
`;
}
