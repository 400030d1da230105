import type { ReactNode } from "react";
import "../charts/data-table.css";

/** A column: its header, which is also each of its cells' data-label, and what a row shows in it. */
export interface StackedColumn<Row> {
  label: string;
  cell: (row: Row) => ReactNode;
  cellClassName?: (row: Row) => string;
}

/**
 * A `table.stack` (charts/data-table.css): on a narrow screen each row stacks into a block, each cell
 * under its column's name. The names come from the one column list, so header and data-labels agree.
 */
export function StackedTable<Row>(props: {
  columns: StackedColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** For screen readers only (visually hidden). */
  caption?: ReactNode;
  "aria-label"?: string;
}) {
  return (
    <div className="table-wrap">
      <table className="stack" aria-label={props["aria-label"]}>
        {props.caption !== undefined ? <caption className="visually-hidden">{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" key={column.label}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((column) => (
                <td key={column.label} data-label={column.label} className={column.cellClassName?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
