import { Type } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()])

export const StoredBackupSchema = Type.Object({
  name: Type.String({ description: 'File name in the backup directory; download it from /admin/backups/{name}' }),
  bytes: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  method: Type.Union([Type.Literal('copy'), Type.Literal('pg_dump'), Type.Null()]),
  migrationLevel: Nullable(Type.String()),
  tables: Nullable(Type.Integer()),
  rows: Nullable(Type.Integer()),
  error: Nullable(Type.String({ description: 'Why the manifest could not be read (a damaged file)' })),
})

export const BackupListResponse = Type.Object({
  directory: Type.String(),
  schedule: Type.Object({
    enabled: Type.Boolean({ description: 'Setting backup.enabled' }),
    frequencyHours: Type.Integer({ description: 'Setting backup_frequency_hours (seed 004)' }),
    retentionCount: Type.Integer({ description: 'Setting backup.retention_count: how many backups the directory keeps' }),
  }),
  backups: Type.Array(StoredBackupSchema),
})

export const CreateBackupResponse = Type.Object({
  backup: StoredBackupSchema,
  deleted: Type.Array(Type.String(), { description: 'Older backups deleted to keep backup.retention_count' }),
})

export const BackupNameParams = Type.Object({
  name: Type.String({ pattern: '^tessera-backup-\\d{8}T\\d{6}Z\\.tar$', description: 'A backup file name as listed' }),
})
