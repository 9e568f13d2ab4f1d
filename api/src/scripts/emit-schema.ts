// Writes schema/schema.graphql from the code-first schema (sorted). Commit the result.
import { emitSchemaFile, schemaFile } from '../graphql/schema.js';

await emitSchemaFile();
console.log(`wrote ${schemaFile}`);
