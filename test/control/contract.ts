import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * The control plane's contract, checked on live answers: each answer's status must be declared for its operation,
 * its declared headers present, and its body valid against the declared schema (ajv, JSON Schema 2020-12 as
 * OpenAPI 3.1 uses). The schemas are closed objects, so a field rendered but undeclared fails, as does a required
 * field that is missing. Usable from any test (or a hook) that sees control-plane answers.
 */

interface Operation { operationId: string; responses: Record<string, Ref<ResponseObject>> }
interface ResponseObject { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }
type Ref<T> = T | { $ref: string };
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, ResponseObject> };
}

export interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: unknown; text?: string }

export class ControlContract {
  /** `operationId status` of every answer checked. */
  readonly seen = new Set<string>();
  private readonly ajv: Ajv2020;
  private readonly routes: Array<{ re: RegExp; path: string; literal: number }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly doc: Doc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(this.ajv);
    // The document's components as one schema: `#/components/schemas/X` becomes `control#/$defs/X`.
    const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"control#/$defs/')) as Record<string, unknown>;
    this.ajv.addSchema({ $id: 'control', $defs: defs });
    this.routes = Object.keys(doc.paths).map((path) => ({
      path,
      re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      literal: path.replace(/\{[^}]+\}/g, '').length,
    })).sort((a, b) => b.literal - a.literal);
  }

  /** The operation serving `method url` (the most literal template that matches). */
  operation(method: string, url: string): { path: string; op: Operation } {
    const path = url.split('?')[0]!;
    const route = this.routes.find((r) => r.re.test(path) && this.doc.paths[r.path]![method.toLowerCase()]);
    if (!route) throw new Error(`no operation in the control-plane document for ${method} ${path}`);
    return { path: route.path, op: this.doc.paths[route.path]![method.toLowerCase()]! };
  }

  /** Every `operationId status` the document declares. */
  declared(): string[] {
    return Object.values(this.doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => Object.keys(op.responses).map((s) => `${op.operationId} ${s}`)));
  }

  private response(r: Ref<ResponseObject>): ResponseObject {
    if ('$ref' in r) return this.doc.components.responses[r.$ref.replace('#/components/responses/', '')]!;
    return r;
  }

  private validator(schema: unknown): ValidateFunction {
    const text = JSON.stringify(schema).replaceAll('"#/components/schemas/', '"control#/$defs/');
    let v = this.validators.get(text);
    if (!v) {
      v = this.ajv.compile(JSON.parse(text) as object);
      this.validators.set(text, v);
    }
    return v;
  }

  /** Problems of one answer against the document (empty: it keeps the contract). Records it as seen. */
  problems(method: string, url: string, res: Answer): string[] {
    const { path, op } = this.operation(method, url);
    const where = `${method.toUpperCase()} ${path} → ${res.status}`;
    const declared = op.responses[String(res.status)];
    if (!declared) return [`${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')}); body ${JSON.stringify(res.body).slice(0, 300)}`];
    this.seen.add(`${op.operationId} ${res.status}`);
    const answer = this.response(declared);
    const out: string[] = [];
    for (const name of Object.keys(answer.headers ?? {})) {
      if (res.headers[name.toLowerCase()] === undefined) out.push(`${where}: declared header ${name} missing`);
    }
    const content = answer.content?.['application/json'];
    if (!content) {
      const text = res.text ?? '';
      if (text !== '') out.push(`${where}: declared without a body, got ${text.slice(0, 200)}`);
      return out;
    }
    const type = String(res.headers['content-type'] ?? '');
    if (!/^application\/json\b/.test(type)) out.push(`${where}: content-type ${type}, declared application/json`);
    const validate = this.validator(content.schema);
    if (!validate(res.body)) {
      for (const e of validate.errors ?? []) out.push(`${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    }
    return out;
  }

  /** Problems of an example against a schema of the document. */
  exampleProblems(schema: unknown, example: unknown): string[] {
    const validate = this.validator(schema);
    return validate(example) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
