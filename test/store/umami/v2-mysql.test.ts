// Import from Umami's v2-mysql schema (test/fixtures/umami/v2-mysql.sql) into every Dashi store.
import { importScenario } from './import-scenario.js';

await importScenario('v2-mysql');
