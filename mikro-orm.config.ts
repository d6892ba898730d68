// For MikroORM's own tooling only: the server builds its options from the Config it was given
// (server/db/orm-options.ts) and never imports this file, which reads the environment on import.
import { loadConfig } from '#server/config.ts';
import { ormOptions } from '#server/db/orm-options.ts';

export default ormOptions(loadConfig());
