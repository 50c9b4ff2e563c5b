import type { ReceivedRequest } from './server';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function badge(check: string): string {
  const colour =
    check === 'valid' ? '#1a7f37' : check === 'invalid' || check === 'missing' ? '#cf222e' : '#6e7781';
  return `<span style="color:${colour};font-weight:600">${escapeHtml(check)}</span>`;
}

/** A plain page listing what arrived, newest first; it reloads itself every few seconds. */
export function renderRequestsPage(requests: ReadonlyArray<ReceivedRequest>, total: number): string {
  const rows = [...requests]
    .reverse()
    .map((request) => {
      let pretty = request.body;
      if (request.json !== undefined) pretty = JSON.stringify(request.json, null, 2);
      const headers = Object.entries(request.headers)
        .map(([name, value]) => `${escapeHtml(name)}: ${escapeHtml(value)}`)
        .join('\n');
      return `<tr>
  <td>${request.seq}</td><td>${escapeHtml(request.receivedAt)}</td>
  <td>${escapeHtml(request.method)} ${escapeHtml(request.path)}</td>
  <td>${request.response.dropped ? 'dropped' : request.response.status}</td>
  <td>elements ${badge(request.signatures.elements)}<br>standard ${badge(request.signatures.standard)}</td>
  <td><details><summary>${escapeHtml(request.headers['webhook-id'] ?? '')}</summary><pre>${headers}</pre></details>
      <pre>${escapeHtml(pretty.length > 20_000 ? `${pretty.slice(0, 20_000)}…` : pretty)}</pre></td>
</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pollcast webhook sink</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #d0d7de;padding:.4rem;vertical-align:top;text-align:left}
pre{margin:.2rem 0;max-height:24rem;overflow:auto;font-size:12px;background:#f6f8fa;padding:.4rem}</style>
</head><body>
<h1>Pollcast webhook sink</h1>
<p>${total} request(s) recorded; showing the last ${requests.length}. JSON: <code>GET /_sink/requests</code>;
clear: <code>DELETE /_sink/requests</code>.</p>
<table><thead><tr><th>#</th><th>received</th><th>request</th><th>answer</th><th>signatures</th><th>webhook-id / body</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">nothing yet</td></tr>'}
</tbody></table>
</body></html>`;
}
