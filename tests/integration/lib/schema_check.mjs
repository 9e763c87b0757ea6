// A validator for the JSON Schema subset the constrained-decoding tests use
// (type, enum, anyOf, bounds on integers, strings and arrays, required and
// closed objects), so a test can say why an answer does not conform.

export function violation(schema, v, at = '$') {
  if (schema.anyOf) {
    return schema.anyOf.some((s) => violation(s, v, at) === null) ? null : `${at}: matches no anyOf branch`;
  }
  if (schema.enum) return schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)) ? null : `${at}: ${JSON.stringify(v)} not in enum`;
  switch (schema.type) {
    case 'null': return v === null ? null : `${at}: not null`;
    case 'boolean': return typeof v === 'boolean' ? null : `${at}: not a boolean`;
    case 'integer':
      if (!Number.isInteger(v)) return `${at}: not an integer`;
      if (schema.minimum !== undefined && v < schema.minimum) return `${at}: below minimum`;
      if (schema.maximum !== undefined && v > schema.maximum) return `${at}: above maximum`;
      return null;
    case 'string':
      if (typeof v !== 'string') return `${at}: not a string`;
      if (schema.maxLength !== undefined && [...v].length > schema.maxLength) return `${at}: longer than maxLength`;
      if (schema.minLength !== undefined && [...v].length < schema.minLength) return `${at}: shorter than minLength`;
      return null;
    case 'array':
      if (!Array.isArray(v)) return `${at}: not an array`;
      if (schema.maxItems !== undefined && v.length > schema.maxItems) return `${at}: more than maxItems`;
      for (let i = 0; i < v.length; ++i) {
        const bad = violation(schema.items, v[i], `${at}[${i}]`);
        if (bad) return bad;
      }
      return null;
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at}: not an object`;
      for (const k of schema.required ?? []) if (!(k in v)) return `${at}: missing ${k}`;
      for (const [k, x] of Object.entries(v)) {
        if (!schema.properties[k]) return `${at}: unexpected property ${k}`;
        const bad = violation(schema.properties[k], x, `${at}.${k}`);
        if (bad) return bad;
      }
      return null;
    }
    default: return `${at}: schema type ${schema.type} not known to the test`;
  }
}

