import { lazy, Suspense, type ReactNode } from 'react'
import { BrowserRouter, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router-dom'
import { Alert } from './components/Alert.tsx'
import { Button } from './components/Button.tsx'
import { Spinner } from './components/Loading.tsx'
import { withQuery } from './lib/api.ts'
import { PageAccount } from './features/account/PageAccount.tsx'
import { PageAdminAudit } from './features/admin/PageAdminAudit.tsx'
import { PageDatabase } from './features/admin/PageDatabase.tsx'
import { PageHealth } from './features/admin/PageHealth.tsx'
import { PageBackups } from './features/admin/PageBackups.tsx'
import { PageError } from './features/admin/PageError.tsx'
import { PageErrors } from './features/admin/PageErrors.tsx'
import { PageMailOutbox } from './features/admin/PageMailOutbox.tsx'
import { PageOrganizations } from './features/admin/PageOrganizations.tsx'
import { PageRequests } from './features/admin/PageRequests.tsx'
import { PageSettings } from './features/admin/PageSettings.tsx'
import { PageStorage } from './features/admin/PageStorage.tsx'
import { PageUsers } from './features/admin/PageUsers.tsx'
import { RequireAdmin } from './features/admin/RequireAdmin.tsx'
import { PageApiKeys } from './features/api-keys/PageApiKeys.tsx'
import { PageOrgAudit } from './features/audit/PageOrgAudit.tsx'
import { PagePipelineQuality } from './features/data-quality/PagePipelineQuality.tsx'
import { PageDataSource } from './features/data-sources/PageDataSource.tsx'
import { PageDataSources } from './features/data-sources/PageDataSources.tsx'
import { PageNewDataSource } from './features/data-sources/PageNewDataSource.tsx'
import { useAuth } from './features/auth/AuthContext.ts'
import { AuthProvider } from './features/auth/AuthProvider.tsx'
import { AuthLayout } from './features/auth/components/AuthLayout.tsx'
import { safeNext } from './features/auth/nextPath.ts'
import { PageForgotPassword } from './features/auth/PageForgotPassword.tsx'
import { PageRegister } from './features/auth/PageRegister.tsx'
import { PageResetPassword } from './features/auth/PageResetPassword.tsx'
import { PageSetup } from './features/auth/PageSetup.tsx'
import { PageSignIn } from './features/auth/PageSignIn.tsx'
import { PageVerifyEmail } from './features/auth/PageVerifyEmail.tsx'
import { PageInvitation } from './features/invitations/PageInvitation.tsx'
import { OrgLayout } from './features/organizations/OrgLayout.tsx'
import { PageCreateOrganization } from './features/organizations/PageCreateOrganization.tsx'
import { PageMembers } from './features/organizations/PageMembers.tsx'
import { PageOrganizationSettings } from './features/organizations/PageOrganizationSettings.tsx'
import { PageMetric } from './features/metrics/PageMetric.tsx'
import { PageMetricForm } from './features/metrics/PageMetricForm.tsx'
import { PageMetrics } from './features/metrics/PageMetrics.tsx'
import { PageExplore } from './features/explore/PageExplore.tsx'
import { PageDashboards } from './features/dashboards/PageDashboards.tsx'
import { PageSavedQueries } from './features/saved-queries/PageSavedQueries.tsx'
import { PageSavedQuery } from './features/saved-queries/PageSavedQuery.tsx'
import { PageMcpAnalytics } from './features/mcp-analytics/PageMcpAnalytics.tsx'
import { PageNewPipeline } from './features/pipelines/PageNewPipeline.tsx'
import { PagePipelineData } from './features/pipelines/PagePipelineData.tsx'
import { PagePipelineMapping } from './features/pipelines/PagePipelineMapping.tsx'
import { PagePipelineOverview } from './features/pipelines/PagePipelineOverview.tsx'
import { PagePipelinePush } from './features/pipelines/PagePipelinePush.tsx'
import { PagePipelines } from './features/pipelines/PagePipelines.tsx'
import { PagePipelineSinks } from './features/pipelines/PagePipelineSinks.tsx'
import { PipelineLayout } from './features/pipelines/PipelineLayout.tsx'
import { PageRun } from './features/runs/PageRun.tsx'
import { PageRuns } from './features/runs/PageRuns.tsx'
import { PageStatistics } from './features/runs/PageStatistics.tsx'
import { AppShell } from './features/shell/AppShell.tsx'
import { PageHome } from './features/shell/PageHome.tsx'
import { PageNotFound } from './features/shell/PageNotFound.tsx'
import { PageTeam } from './features/teams/PageTeam.tsx'
import { PageTeams } from './features/teams/PageTeams.tsx'

// A dashboard (grid, charts, editor) and the shared views load on demand, not with the app.
const PageDashboard = lazy(() => import('./features/dashboards/PageDashboard.tsx').then((module) => ({ default: module.PageDashboard })))
const PagePublicDashboard = lazy(() => import('./features/dashboards/PagePublicDashboard.tsx').then((module) => ({ default: module.PagePublicDashboard })))

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<div className="fullscreen-center"><Spinner label="Loading…" /></div>}>{children}</Suspense>
}

/** Holds every route until GET /me answered; a fresh instance goes to /setup first. */
function AuthGate({ children }: { children: ReactNode }) {
  const auth = useAuth()
  const location = useLocation()
  if (auth.status === 'loading') {
    return (
      <div className="fullscreen-center">
        <Spinner label="Loading Tessera…" />
      </div>
    )
  }
  if (auth.status === 'unreachable') {
    return (
      <AuthLayout title="Tessera is not reachable">
        <Alert title="The server did not answer">
          <p>{auth.loadError}</p>
          <Button variant="secondary" onClick={() => void auth.refresh()}>
            Try again
          </Button>
        </Alert>
      </AuthLayout>
    )
  }
  if (auth.status === 'setup' && location.pathname !== '/setup') {
    return <Navigate to="/setup" replace />
  }
  return <>{children}</>
}

/** Signed-in pages; anyone else is sent to sign in and brought back afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const auth = useAuth()
  const location = useLocation()
  if (auth.status !== 'signedIn') {
    // A deliberate sign-out starts over; only an expired session comes back to where it was.
    if (auth.signedOutReason === 'signOut') {
      return <Navigate to="/login?signedOut=1" replace />
    }
    const here = `${location.pathname}${location.search}`
    return <Navigate to={withQuery('/login', { next: here === '/' ? undefined : here })} replace />
  }
  return <>{children}</>
}

/** Sign-in and registration make no sense when signed in: continue to ?next instead. */
function SignedOutOnly({ children }: { children: ReactNode }) {
  const auth = useAuth()
  const [params] = useSearchParams()
  if (auth.status === 'signedIn') {
    return <Navigate to={safeNext(params.get('next'))} replace />
  }
  return <>{children}</>
}

export function AppRoutes() {
  return (
    <AuthGate>
      <Routes>
        <Route path="/setup" element={<PageSetup />} />
        <Route path="/login" element={<SignedOutOnly><PageSignIn /></SignedOutOnly>} />
        <Route path="/register" element={<SignedOutOnly><PageRegister /></SignedOutOnly>} />
        <Route path="/forgot-password" element={<PageForgotPassword />} />
        <Route path="/reset-password" element={<PageResetPassword />} />
        <Route path="/verify-email" element={<PageVerifyEmail />} />
        <Route path="/invite" element={<PageInvitation />} />
        <Route path="/invite/:token" element={<PageInvitation />} />
        <Route path="/invitations/:token" element={<PageInvitation />} />
        <Route path="/public/:token" element={<Lazy><PagePublicDashboard kind="public" /></Lazy>} />
        <Route path="/embed/:token" element={<Lazy><PagePublicDashboard kind="embed" /></Lazy>} />
        <Route element={<RequireAuth><AppShell /></RequireAuth>}>
          <Route index element={<PageHome />} />
          <Route path="orgs/new" element={<PageCreateOrganization />} />
          <Route path="orgs/:orgId" element={<OrgLayout />}>
            <Route index element={<Navigate to="members" replace />} />
            <Route path="members" element={<PageMembers />} />
            <Route path="teams" element={<PageTeams />} />
            <Route path="teams/:teamId" element={<PageTeam />} />
            <Route path="api-keys" element={<PageApiKeys />} />
            <Route path="audit" element={<PageOrgAudit />} />
            <Route path="settings" element={<PageOrganizationSettings />} />
            <Route path="data-sources" element={<PageDataSources />} />
            <Route path="data-sources/new" element={<PageNewDataSource />} />
            <Route path="data-sources/:dataSourceId" element={<PageDataSource />} />
            <Route path="pipelines" element={<PagePipelines />} />
            <Route path="pipelines/new" element={<PageNewPipeline />} />
            {/* Explicit tabs, no catch-all: pipelines/:pipelineId/runs and /statistics belong to features/runs. */}
            <Route path="pipelines/:pipelineId" element={<PipelineLayout />}>
              <Route index element={<PagePipelineOverview />} />
              <Route path="mapping" element={<PagePipelineMapping />} />
              <Route path="sinks" element={<PagePipelineSinks />} />
              <Route path="data" element={<PagePipelineData />} />
              <Route path="quality" element={<PagePipelineQuality />} />
              <Route path="push" element={<PagePipelinePush />} />
            </Route>
            <Route path="pipelines/:pipelineId/runs" element={<PageRuns />} />
            <Route path="pipelines/:pipelineId/statistics" element={<PageStatistics />} />
            <Route path="runs/:runId" element={<PageRun />} />
            <Route path="metrics" element={<PageMetrics />} />
            <Route path="metrics/new" element={<PageMetricForm />} />
            <Route path="metrics/:metricId" element={<PageMetric />} />
            <Route path="metrics/:metricId/edit" element={<PageMetricForm />} />
            <Route path="explore" element={<PageExplore />} />
            <Route path="dashboards" element={<PageDashboards />} />
            <Route path="dashboards/:dashboardId" element={<Lazy><PageDashboard /></Lazy>} />
            <Route path="queries" element={<PageSavedQueries />} />
            <Route path="queries/new" element={<PageSavedQuery key="new" />} />
            <Route path="queries/:queryId" element={<PageSavedQuery />} />
            <Route path="mcp-analytics" element={<PageMcpAnalytics />} />
            <Route path="*" element={<PageNotFound />} />
          </Route>
          <Route path="account" element={<PageAccount />} />
          <Route path="admin" element={<RequireAdmin />}>
            <Route index element={<Navigate to="settings" replace />} />
            <Route path="settings" element={<PageSettings />} />
            <Route path="users" element={<PageUsers />} />
            <Route path="organizations" element={<PageOrganizations />} />
            <Route path="storage" element={<PageStorage />} />
            <Route path="health" element={<PageHealth />} />
            <Route path="database" element={<PageDatabase />} />
            <Route path="backups" element={<PageBackups />} />
            <Route path="errors" element={<PageErrors />} />
            <Route path="errors/:errorId" element={<PageError />} />
            <Route path="requests" element={<PageRequests />} />
            <Route path="mail" element={<PageMailOutbox />} />
            <Route path="audit" element={<PageAdminAudit />} />
          </Route>
          <Route path="*" element={<PageNotFound />} />
        </Route>
      </Routes>
    </AuthGate>
  )
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <AppRoutes />
      </AuthProvider>
    </BrowserRouter>
  )
}
