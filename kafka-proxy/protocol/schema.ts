/**
 * The shape of the generated message table (`messages.generated.ts`): Kafka's JSON message
 * definitions in a compact form that drives the generic codec (`message-codec.ts`).
 */

/** An inclusive version range; `null` means "no versions" (Kafka's `none`). 32767 stands for `N+`. */
export type VersionRange = readonly [number, number] | null;

export type PrimitiveType = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'bytes' | 'records' | 'uuid';

export type FieldType = PrimitiveType | 'struct' | `[]${PrimitiveType}` | '[]struct';

export interface FieldSchema {
  /** Field name, as in Kafka's JSON (`TopicData`, `Name`). */
  readonly n: string;
  readonly t: FieldType;
  /** Versions in which the field exists. */
  readonly v: VersionRange;
  /** Versions in which it may be null. */
  readonly nv?: VersionRange;
  /** Versions in which it is a tagged field, and its tag. */
  readonly tv?: VersionRange;
  readonly tag?: number;
  /** A field-level override of the message's flexible versions (request header `ClientId`). */
  readonly fv?: VersionRange;
  /** Default value as written in the JSON (`"-1"`, `"null"`, `"true"`). */
  readonly d?: string;
  /** Sub-fields of a struct or struct array. */
  readonly f?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly name: string;
  readonly valid: VersionRange;
  readonly flexible: VersionRange;
  readonly fields: readonly FieldSchema[];
}

export function inRange(range: VersionRange | undefined, version: number): boolean {
  return range !== null && range !== undefined && version >= range[0] && version <= range[1];
}
