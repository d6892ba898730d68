import type { FastifyInstance } from 'fastify';
import type { Mailer } from '#server/mail/mailer.ts';
import { escapeHtml } from '#server/lib/html.ts';

/** The development outbox, newest first: as HTML for people, as JSON for scripts (Accept: application/json). */
export function registerDevMailRoute(app: FastifyInstance, mailer: Mailer): void {
  const outbox = mailer.devOutbox;
  if (!outbox) {
    // Mail goes through Resend: API.md §7 says 404, not the SPA that the not-found handler serves to GETs.
    app.get('/dev/mail', async (_request, reply) => reply.code(404).send({ error: 'Not found' }));
    return;
  }
  app.get('/dev/mail', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const mails = outbox.list();
    if (request.headers.accept?.includes('application/json')) return mails;
    const items = mails
      .map(
        (mail) => `<article>
<h2>${escapeHtml(mail.subject)}</h2>
<p>To <strong>${escapeHtml(mail.to)}</strong> · <time datetime="${mail.at}">${mail.at}</time></p>
${mail.link ? `<p><a href="${escapeHtml(mail.link)}">${escapeHtml(mail.link)}</a></p>` : ''}
<pre>${escapeHtml(mail.text)}</pre>
</article><hr>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development mail · Latchkey</title></head>
<body><h1>Development mail</h1><p>Mail is not sent while RESEND_API_KEY is unset: the latest ${mails.length} messages are kept here (in memory) instead.</p>
${items || '<p>No mail yet.</p>'}</body></html>`);
  });
}
