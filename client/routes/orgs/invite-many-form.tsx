import { useId, useState } from 'react';
import { ORG_INVITATIONS_PER_CALL_MAX } from '#shared/constants.ts';
import { OrgRoleSchema } from '#shared/roles.ts';
import type { OrgInvitationBatchResult } from '#shared/schemas/orgs.ts';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { TextAreaField } from '#client/components/ui/field.tsx';
import { addressesIn } from '#client/lib/email-list.ts';
import { toProblem } from '#client/lib/errors.ts';
import { rolesToInvite } from '#client/lib/orgs.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from './org-context.ts';
import { InviteResults } from './invite-results.tsx';
import { RoleSelect } from './role-select.tsx';

const MAX_FILE_BYTES = 1024 * 1024; // a CSV of 500 addresses is a few KB; the request body limit is 1 MiB

/** A team at once: pasted addresses or a CSV file read in the browser, with an outcome per address. */
export function InviteManyForm({ onSent }: { onSent: () => void }) {
  const { org, role } = useOrg();
  const fileId = useId();
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [result, setResult] = useState<OrgInvitationBatchResult | null>(null);
  const create = trpc.orgs.invitations.create.useMutation();
  const addresses = addressesIn(text);

  const readFile = async (file: File | undefined) => {
    setFieldError(null);
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setFileNote(null);
      setFieldError(`${file.name} is too large for a list of addresses. Use a file under 1 MB.`);
      return;
    }
    const found = addressesIn(await file.text());
    if (found.length === 0) {
      setFileNote(null);
      setFieldError(`We found no email address in ${file.name}.`);
      return;
    }
    setText(found.join('\n'));
    setFileNote(`${found.length} ${found.length === 1 ? 'address' : 'addresses'} from ${file.name}. Check them below.`);
  };

  return (
    <section className="card stack" aria-labelledby="invite-many-title">
      <h2 id="invite-many-title">Invite many at once</h2>
      <p className="field__hint">
        Paste up to {ORG_INVITATIONS_PER_CALL_MAX} addresses, or take them from a CSV file. Each address gets its own
        answer: one bad address does not stop the others.
      </p>
      <form
        noValidate
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const formElement = event.currentTarget;
          const chosenRole = OrgRoleSchema.parse(new FormData(formElement).get('role'));
          setResult(null);
          if (addresses.length === 0) return showFieldError(formElement, 'Add at least one email address.');
          if (addresses.length > ORG_INVITATIONS_PER_CALL_MAX)
            return showFieldError(
              formElement,
              `That is ${addresses.length} addresses: invite at most ${ORG_INVITATIONS_PER_CALL_MAX} at once.`,
            );
          create.mutate(
            { orgId: org.id, emails: addresses, role: chosenRole },
            {
              onSuccess: (answer) => {
                if (!('results' in answer)) return;
                setResult(answer);
                setText('');
                setFileNote(null);
                onSent();
              },
            },
          );
        }}
      >
        {create.isError && <Alert tone="error">{toProblem(create.error).message}</Alert>}
        <div className="row">
          <label htmlFor={fileId} className="button button--secondary button--small file-button">
            Choose a CSV file
          </label>
          <input
            id={fileId}
            className="visually-hidden"
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            onChange={(event) => {
              void readFile(event.target.files?.[0]);
              // The same file can be picked again after editing it.
              event.target.value = '';
            }}
          />
          <p className="field__hint" role="status">
            {fileNote}
          </p>
        </div>
        <TextAreaField
          label="Addresses"
          name="emails"
          value={text}
          rows={6}
          spellCheck={false}
          hint={
            addresses.length > 0
              ? `${addresses.length} ${addresses.length === 1 ? 'address' : 'addresses'} found. Separate them with commas, spaces or new lines.`
              : 'Separate them with commas, spaces or new lines.'
          }
          errors={fieldError ? [fieldError] : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setFieldError(null);
          }}
        />
        <RoleSelect roles={rolesToInvite(role)} />
        <div>
          <Button type="submit" busy={create.isPending} busyLabel="Sending…">
            Send invitations
          </Button>
        </div>
      </form>
      {result && <InviteResults result={result} />}
    </section>
  );

  function showFieldError(formElement: HTMLFormElement, message: string) {
    setFieldError(message);
    (formElement.elements.namedItem('emails') as HTMLTextAreaElement | null)?.focus();
  }
}
