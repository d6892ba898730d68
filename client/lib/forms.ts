import { useCallback, useState, type FormEvent } from 'react';
import { z } from 'zod';
import type { FieldErrors } from '#shared/errors.ts';
import { toProblem } from './errors.ts';

export type FormState = { fieldErrors: FieldErrors; formError: string | null };

/** Moves the focus to the first field, in the form's order, named in `names` (an input, a text area or a list). */
export function focusFirstInvalid(form: HTMLFormElement, names: string[]) {
  const field = [...form.elements].find(
    (item): item is HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement =>
      (item instanceof HTMLInputElement || item instanceof HTMLTextAreaElement || item instanceof HTMLSelectElement) &&
      item.type !== 'hidden' &&
      names.includes(item.name),
  );
  field?.focus();
}

/**
 * Validates a form with the same zod schema the server uses, shows errors by field, and maps the
 * server's fieldErrors the same way. Focus goes to the first invalid field on a failed submit.
 */
export function useSchemaForm<Schema extends z.ZodType>(schema: Schema) {
  const [state, setState] = useState<FormState>({ fieldErrors: {}, formError: null });

  const parse = useCallback(
    (form: HTMLFormElement): z.output<Schema> | null => {
      const values = Object.fromEntries([...new FormData(form)].filter(([, value]) => typeof value === 'string'));
      const result = schema.safeParse(values);
      if (result.success) {
        setState({ fieldErrors: {}, formError: null });
        return result.data;
      }
      const flat = z.flattenError(result.error);
      const fieldErrors = flat.fieldErrors as FieldErrors;
      setState({ fieldErrors, formError: flat.formErrors[0] ?? null });
      focusFirstInvalid(form, Object.keys(fieldErrors));
      return null;
    },
    [schema],
  );

  /** Shows a server failure: by field when it names fields, as a form-level message otherwise. */
  const showError = useCallback((form: HTMLFormElement | null, error: unknown) => {
    const problem = toProblem(error);
    const named = Object.keys(problem.fieldErrors);
    setState({ fieldErrors: problem.fieldErrors, formError: named.length ? null : problem.message });
    if (form && named.length) focusFirstInvalid(form, named);
    return problem;
  }, []);

  const clearField = useCallback((name: string) => {
    setState((current) => {
      if (!current.fieldErrors[name]) return current;
      const { [name]: _removed, ...rest } = current.fieldErrors;
      return { ...current, fieldErrors: rest };
    });
  }, []);

  /** An onSubmit handler: validates, then hands valid input and the form to `handler`. */
  const onSubmit = useCallback(
    (handler: (input: z.output<Schema>, form: HTMLFormElement) => void) => (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const form = event.currentTarget;
      const input = parse(form);
      if (input) handler(input, form);
    },
    [parse],
  );

  return { ...state, onSubmit, showError, clearField };
}
