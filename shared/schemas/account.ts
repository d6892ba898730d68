import { z } from 'zod';
import { CurrentPasswordSchema, NewPasswordSchema } from './auth.ts';
import { EmailSchema, TokenSchema } from './common.ts';

export const RequestPasswordResetInputSchema = z.object({ email: EmailSchema });
export type RequestPasswordResetInput = z.infer<typeof RequestPasswordResetInputSchema>;

export const ResetPasswordInputSchema = z.object({ token: TokenSchema, password: NewPasswordSchema });
export type ResetPasswordInput = z.infer<typeof ResetPasswordInputSchema>;

export const ChangePasswordInputSchema = z.object({
  currentPassword: CurrentPasswordSchema,
  newPassword: NewPasswordSchema,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInputSchema>;

export const ChangeEmailInputSchema = z.object({ newEmail: EmailSchema, password: CurrentPasswordSchema });
export type ChangeEmailInput = z.infer<typeof ChangeEmailInputSchema>;

export const ConfirmEmailChangeInputSchema = z.object({ token: TokenSchema });
export type ConfirmEmailChangeInput = z.infer<typeof ConfirmEmailChangeInputSchema>;

/** Re-authentication for sensitive changes (two-factor off, new recovery codes, deactivation). */
export const PasswordConfirmationInputSchema = z.object({ password: CurrentPasswordSchema });
export type PasswordConfirmationInput = z.infer<typeof PasswordConfirmationInputSchema>;
