/**
 * Output formats of `pvesh --output-format`, after pve-common 8.x
 * `PVE::CLIFormatter::print_api_result`: `json` is canonical (sorted keys) compact JSON plus a
 * newline, `json-pretty` is Perl JSON's pretty style (3-space indent, `"key" : value`), `yaml`
 * is YAML, and `text` (the default) draws a table.
 *
 * NOTE: the text table approximates Proxmox's: it prints raw numbers where Proxmox renders
 * bytes, percentages and durations for humans. Parse the JSON formats, never the table.
 */
import { dump } from "js-yaml";
import type { ApiValue } from "./pvesh-data.ts";

/** Formatting options of pvesh. */
export interface OutputOptions {
  format: "text" | "json" | "json-pretty" | "yaml";
  noborder: boolean;
  noheader: boolean;
}

/** Renders an API result in the requested format. */
export function renderResult(data: ApiValue, options: OutputOptions): string {
  switch (options.format) {
    case "json":
      return `${JSON.stringify(sortKeys(data))}\n`;
    case "json-pretty":
      return `${perlPretty(data, 0)}\n`;
    case "yaml":
      return dump(sortKeys(data));
    case "text":
      return renderText(data, options);
  }
}

function sortKeys(value: ApiValue): ApiValue {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, ApiValue> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys(value[key]!);
    }
    return sorted;
  }
  return value;
}

function perlPretty(value: ApiValue, indent: number): string {
  const inner = " ".repeat(indent + 3);
  const outer = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return "[]";
    }
    const items = value.map((item) => `${inner}${perlPretty(item, indent + 3)}`);
    return `[\n${items.join(",\n")}\n${outer}]`;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) {
      return "{}";
    }
    const items = keys.map(
      (key) => `${inner}${JSON.stringify(key)} : ${perlPretty(value[key]!, indent + 3)}`,
    );
    return `{\n${items.join(",\n")}\n${outer}}`;
  }
  return JSON.stringify(value);
}

function renderText(data: ApiValue, options: OutputOptions): string {
  if (Array.isArray(data)) {
    if (data.length === 0) {
      return "";
    }
    const rows = data.map((item) =>
      item !== null && typeof item === "object" && !Array.isArray(item) ? item : { value: item },
    );
    const columns = columnsOf(rows);
    return renderTable(
      columns,
      rows.map((row) => columns.map((column) => cell(row[column]))),
      options,
    );
  }
  if (data !== null && typeof data === "object") {
    const rows = Object.keys(data)
      .sort()
      .map((key) => [key, cell(data[key])]);
    return renderTable(["key", "value"], rows, options);
  }
  return `${cell(data)}\n`;
}

function columnsOf(rows: Array<Record<string, ApiValue>>): string[] {
  const keys = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      keys.add(key);
    }
  }
  const sorted = [...keys].sort();
  return sorted.includes("id") ? ["id", ...sorted.filter((key) => key !== "id")] : sorted;
}

function cell(value: ApiValue | undefined): string {
  if (value === undefined || value === null) {
    return "";
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function renderTable(header: string[], rows: string[][], options: OutputOptions): string {
  const all = options.noheader ? rows : [header, ...rows];
  const widths = header.map((_, index) => Math.max(...all.map((row) => row[index]!.length)));
  const line = (row: string[]) => row.map((text, index) => text.padEnd(widths[index]!));

  if (options.noborder) {
    return all.map((row) => `${line(row).join(" ").trimEnd()}\n`).join("");
  }

  const rule = (left: string, fill: string, middle: string, right: string) =>
    `${left}${widths.map((width) => fill.repeat(width + 2)).join(middle)}${right}\n`;
  const body = (row: string[]) => `│ ${line(row).join(" │ ")} │\n`;

  let text = rule("┌", "─", "┬", "┐");
  if (!options.noheader) {
    text += body(header) + rule("╞", "═", "╪", "╡");
  }
  text += rows.map(body).join(rule("├", "─", "┼", "┤"));
  return text + rule("└", "─", "┴", "┘");
}
