import { Type, type Static } from '@sinclair/typebox'
import { DashboardDataQuery } from '../dashboards/widgets.schema.ts'

export const ExportFormat = Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { description: 'csv (default): RFC 4180, UTF-8; xlsx: an Excel workbook' })
export type ExportFormat = Static<typeof ExportFormat>

export const WidgetExportQuery = Type.Composite([DashboardDataQuery, Type.Object({ format: Type.Optional(ExportFormat) })], { additionalProperties: false })
export type WidgetExportQuery = Static<typeof WidgetExportQuery>

export const DashboardPdfQuery = DashboardDataQuery
export type DashboardPdfQuery = Static<typeof DashboardPdfQuery>

export const CONTENT_TYPES: Record<ExportFormat | 'pdf', string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
}

/** A download in the OpenAPI document: a binary body of one of these media types (sent as a Buffer, never serialized). */
export const FileResponse = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description })
