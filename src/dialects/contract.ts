import { Ajv, type Options as AjvOptions } from 'ajv';
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';

/**
 * The request contract of a dialect's routes: each route declares its body, query, params and
 * headers as JSON schemas (the dialect's schemas.ts); Fastify validates them with the dialect's
 * own validator, and a failure reaches the dialect's one mapping (its `schemaFailure`) as a
 * description of the input at fault, never as Fastify's default 400.
 */

/** How a dialect's standard reads a value of the wrong JSON type where a text belongs. */
export interface ValidatorRules {
  /**
   * true: a number (or boolean) where a text belongs is read as its decimal text (ZWFW C 0124's
   * appendix C posts forms, whose clients send numbers in JSON too); false: refused, as the tables
   * that type every input 字符串 ask (DB51/T 2942, the YRD document).
   */
  coerceScalars: boolean;
}

/** One failed rule of a request's schema, in the words a dialect needs to pick its code. */
export interface SchemaFailure {
  /** Where: body, querystring, params or headers. */
  part: string;
  /** The input at fault as a dotted path (head.accountId, CertificateData), '' for the whole part. */
  field: string;
  /** missing: a required input is absent; type: present but of the wrong JSON type; value: of the right type but not allowed. */
  kind: 'missing' | 'type' | 'value';
  /** The schema's own words for the rule (e.g. "must be string"). */
  rule: string;
}

/**
 * Installs a dialect's validator in its (encapsulated) scope and has every route of the scope hand
 * a schema failure to its handler (attachValidation) rather than answer it: the handler maps it
 * with the dialect's codes, records the refused call as any other refusal, and answers in its envelope.
 */
export function installContract(app: FastifyInstance, rules: ValidatorRules): void {
  const options: AjvOptions = {
    // Fastify's defaults, but for the coercion each standard decides.
    coerceTypes: rules.coerceScalars,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    // The schemas carry OpenAPI annotations (examples, x- names) Ajv does not know.
    strict: false,
  };
  const ajv = new Ajv(options);
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.addHook('onRoute', (route) => {
    route.attachValidation = true;
  });
  app.addHook('preValidation', async (req) => emptyBodyAsObject(req));
}

/** The first rule the request broke, or undefined when it passed its schemas. */
export function schemaFailureOf(req: FastifyRequest): SchemaFailure | undefined {
  const err = req.validationError as (Error & { validation?: FastifySchemaValidationError[]; validationContext?: string }) | undefined;
  if (!err) return undefined;
  const first = err.validation?.[0];
  const part = err.validationContext ?? 'body';
  if (!first) return { part, field: '', kind: 'value', rule: err.message };
  const path = (first.instancePath ?? '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'required') {
    return { part, field: [...path, String(params.missingProperty)].join('.'), kind: 'missing', rule: 'is required' };
  }
  if (first.keyword === 'type') return { part, field: path.join('.'), kind: 'type', rule: first.message ?? 'has the wrong type' };
  // A union of types (an object or its JSON text; a list or one text) names none of them in its failure.
  if (first.keyword === 'anyOf') return { part, field: path.join('.'), kind: 'type', rule: 'has the wrong type' };
  return { part, field: path.join('.'), kind: 'value', rule: first.message ?? first.keyword };
}

/**
 * An absent or empty body is read as an empty object: every standard answers a call without
 * parameters by the code of what is missing (authentication first), not as malformed JSON.
 */
export function emptyBodyAsObject(req: FastifyRequest): void {
  if (req.body === undefined || req.body === null || req.body === '') req.body = {};
}

type ObjectSchema = { properties?: Record<string, ObjectSchema> };

/**
 * Renames the inputs of a body whose names differ from the schema's only in the case of their first
 * letter (head.AccountId for head.accountId), at every level the schema names; the name the schema
 * declares wins when both are sent. For standards whose own tables spell one name both ways.
 */
export function declaredCase(value: unknown, schema: unknown): void {
  const props = (schema as ObjectSchema | undefined)?.properties;
  if (!props || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (k in props) continue;
    const flipped = k.charAt(0) === k.charAt(0).toLowerCase() ? k.charAt(0).toUpperCase() + k.slice(1) : k.charAt(0).toLowerCase() + k.slice(1);
    if (flipped in props && !(flipped in v)) {
      v[flipped] = v[k];
      delete v[k];
    }
  }
  for (const [k, sub] of Object.entries(props)) declaredCase(v[k], sub);
}
