import type { RateLimitRule } from './rate-limit.ts';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

// API.md §6. Every limit in one place, so the longest window is known to the pruner.
export const RATE_LIMITS = {
  contactPerSender: { name: 'profile.contact:sender', limit: 10, windowSeconds: DAY },
  avatarUploadPerUser: { name: 'profile.uploadAvatar:user', limit: 20, windowSeconds: HOUR },
} as const satisfies Record<string, RateLimitRule>;

export const LONGEST_RATE_LIMIT_WINDOW_SECONDS = Math.max(...Object.values(RATE_LIMITS).map((rule) => rule.windowSeconds));
