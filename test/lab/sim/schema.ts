/**
 * The subset of Proxmox VE's JSON schema checks (pve-common `PVE::JSONSchema::check_prop`, PVE 8)
 * that the simulator needs, with Proxmox's own error texts.
 */
import type { FormatCheck } from "./formats.ts";

/** One parameter or property-string key, as declared in a Proxmox API schema. */
export interface PropertySpec {
  type: "string" | "integer" | "number" | "boolean";
  optional?: boolean;
  /** The key a property-string value without `key=` belongs to (e.g. `volume` of rootfs). */
  defaultKey?: boolean;
  format?: FormatCheck;
  /** Anchored like Proxmox's `m/^$pattern$/`. */
  pattern?: RegExp;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  /** A `-list` format: the CLI accepts the option several times and joins the values. */
  list?: boolean;
}

/** A schema: parameter or key name to its spec. */
export type PropertySchema = Record<string, PropertySpec>;

/** Returns whether `value` is a number in Perl's sense (`PVE::JSONSchema::is_number`). */
export function isNumber(value: string): boolean {
  return /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(value);
}

/**
 * Checks one value against its spec, in Proxmox's order: presence, type, format, pattern, length,
 * range, enumeration. Returns Proxmox's error text or undefined when the value is valid.
 */
export function checkProperty(spec: PropertySpec, value: string | undefined): string | undefined {
  if (value === undefined) {
    return spec.optional ? undefined : "property is missing and it is not optional";
  }

  const typeError = checkType(spec, value);
  if (typeError) {
    return typeError;
  }

  if (spec.format) {
    const formatError = spec.format(value);
    if (formatError !== undefined) {
      return `invalid format - ${formatError}`;
    }
  }
  if (spec.pattern && !new RegExp(`^(?:${spec.pattern.source})$`, spec.pattern.flags).test(value)) {
    return "value does not match the regex pattern";
  }
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    return `value may only be ${spec.maxLength} characters long`;
  }
  return checkRangeAndEnum(spec, value);
}

function checkType(spec: PropertySpec, value: string): string | undefined {
  const failed = `type check ('${spec.type}') failed - got '${value}'`;
  if (spec.type === "integer" && !/^[+-]?\d+$/.test(value)) {
    return failed;
  }
  if (spec.type === "number" && !isNumber(value)) {
    return failed;
  }
  if (spec.type === "boolean" && value !== "0" && value !== "1") {
    return failed;
  }
  return undefined;
}

function checkRangeAndEnum(spec: PropertySpec, value: string): string | undefined {
  if (isNumber(value)) {
    if (spec.maximum !== undefined && Number(value) > spec.maximum) {
      return `value must have a maximum value of ${spec.maximum}`;
    }
    if (spec.minimum !== undefined && Number(value) < spec.minimum) {
      return `value must have a minimum value of ${spec.minimum}`;
    }
  }
  if (spec.enum && !spec.enum.includes(value)) {
    return `value '${value}' does not have a value in the enumeration '${spec.enum.join(", ")}'`;
  }
  return undefined;
}

/** Formats schema errors as Proxmox's `PVE::Exception` stringification lists them. */
export function formatErrorLines(errors: Record<string, string>): string {
  return Object.keys(errors)
    .sort()
    .map((key) => `${key}: ${errors[key]}\n`)
    .join("");
}
