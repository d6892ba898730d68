import { z } from 'zod';

// Zod compiles fast parsers with new Function() unless told not to; the CSP forbids eval, and
// even zod's probe for it is reported as a violation. Imported first, before any schema exists.
z.config({ jitless: true });
