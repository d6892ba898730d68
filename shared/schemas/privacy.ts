import { z } from 'zod';

export const PrivacySettingsSchema = z.object({ allowEmailContact: z.boolean() });
export type PrivacySettings = z.infer<typeof PrivacySettingsSchema>;

export const PrivacyUpdateInputSchema = PrivacySettingsSchema.partial().strict();
export type PrivacyUpdateInput = z.infer<typeof PrivacyUpdateInputSchema>;
