// Import from Umami's v2-postgresql schema (test/fixtures/umami/v2-postgresql.sql) into every Dashi store.
import { importScenario } from './import-scenario.js';

await importScenario('v2-postgresql');
