// A codegen plugin: the default value of every input field that has one in the SDL, so forms show
// (as placeholders) exactly what the API fills in for an empty field — one source for each default.
import { isInputObjectType, valueFromAST } from 'graphql';

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction} */
export const plugin = (schema) => {
  const types = Object.values(schema.getTypeMap())
    .filter((type) => isInputObjectType(type) && !type.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const lines = [];
  for (const type of types) {
    const fields = Object.values(type.getFields())
      .filter((field) => field.astNode?.defaultValue)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((field) => `    ${field.name}: ${JSON.stringify(valueFromAST(field.astNode.defaultValue, field.type))},`);
    if (fields.length) lines.push(`  ${type.name}: {`, ...fields, '  },');
  }
  return [
    '/** Defaults of input fields, from the SDL: what the API uses when a field is left out. */',
    'export const INPUT_DEFAULTS = {',
    ...lines,
    '} as const;',
    '',
  ].join('\n');
};
