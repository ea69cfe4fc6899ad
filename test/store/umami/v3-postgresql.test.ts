// Import from Umami's v3-postgresql schema (test/fixtures/umami/v3-postgresql.sql) into every Dashi store.
import { importScenario } from './import-scenario.js';

await importScenario('v3-postgresql');
