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

const DateTime = Type.String({ format: 'date-time' })

export const ManualBackupState = Type.Object({
  status: Type.Union([Type.Literal('idle'), Type.Literal('queued'), Type.Literal('running')], { description: 'queued: waiting for the worker; running: being written' }),
  jobId: Nullable(Type.String({ description: 'The graphile-worker job of the queued or running backup' })),
  queuedAt: Type.Union([DateTime, Type.Null()]),
  startedAt: Type.Union([DateTime, Type.Null()]),
  lastRun: Type.Union([Type.Null(), Type.Object({
    outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    startedAt: DateTime,
    finishedAt: DateTime,
    backup: Nullable(Type.String({ description: 'The file written' })),
    error: Nullable(Type.String({ description: 'Why the backup failed' })),
  })], { description: 'The latest finished "Back up now", from ops.maintenance_runs' }),
})

export const BackupListResponse = Type.Object({
  directory: Type.String(),
  manual: ManualBackupState,
  schedule: Type.Object({
    enabled: Type.Boolean({ description: 'Setting backup.enabled' }),
    frequencyHours: Type.Integer({ description: 'Setting backup_frequency_hours (seed 004)' }),
    retentionCount: Type.Integer({ description: 'Setting backup.retention_count: how many backups the directory keeps' }),
  }),
  backups: Type.Array(StoredBackupSchema),
})

export const QueuedBackupResponse = Type.Object({
  jobId: Type.String({ description: 'The graphile-worker job that writes the backup' }),
  status: Type.Literal('queued'),
  queuedAt: DateTime,
})

export const BackupNameParams = Type.Object({
  name: Type.String({ pattern: '^tessera-backup-\\d{8}T\\d{6}Z\\.tar$', description: 'A backup file name as listed' }),
})
