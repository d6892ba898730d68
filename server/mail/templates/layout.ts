import { PRODUCT_NAME } from '#shared/constants.ts';
import type { MailContent } from '../mail-message.ts';
import { escapeHtml } from '#server/lib/html.ts';

export type MailParts = {
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Shown small under the action: why the person got this mail, what to do if it was not them. */
  footnote: string;
};

// Inline styles only: mail clients ignore <style> blocks and external sheets.
export function renderMail(parts: MailParts): MailContent {
  const action = parts.action
    ? `<p style="margin:28px 0"><a href="${escapeHtml(parts.action.url)}" style="background:#3b4fd8;color:#ffffff;padding:12px 22px;border-radius:8px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(parts.action.label)}</a></p>
<p style="font-size:13px;color:#5b6170">If the button does not work, paste this link into your browser:<br><span style="word-break:break-all">${escapeHtml(parts.action.url)}</span></p>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(parts.subject)}</title></head>
<body style="margin:0;background:#f4f5f8;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1c1f26">
<div style="max-width:520px;margin:0 auto;padding:32px 20px">
<p style="font-weight:700;font-size:18px;margin:0 0 20px">${PRODUCT_NAME}</p>
<div style="background:#ffffff;border-radius:12px;padding:28px;border:1px solid #e2e4ea">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(parts.heading)}</h1>
${parts.paragraphs.map((text) => `<p style="line-height:1.55;margin:0 0 12px">${escapeHtml(text)}</p>`).join('\n')}
${action}
<p style="font-size:13px;color:#5b6170;margin:20px 0 0">${escapeHtml(parts.footnote)}</p>
</div></div></body></html>`;
  const text = [
    parts.heading,
    '',
    ...parts.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(parts.action ? [`${parts.action.label}: ${parts.action.url}`, ''] : []),
    parts.footnote,
    '',
    `— ${PRODUCT_NAME}`,
  ].join('\n');
  return { subject: parts.subject, html, text, link: parts.action?.url };
}
