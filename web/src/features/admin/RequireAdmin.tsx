import { Link, Outlet } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { useAuth } from '../auth/AuthContext.ts'

export function RequireAdmin() {
  const { user } = useAuth()
  if (!user?.isInstanceAdmin) {
    return (
      <div className="page page--narrow">
        <Alert tone="error" title="Administrators only">
          <p>
            This part of Tessera is for instance administrators. <Link to="/">Go back to your organizations</Link>.
          </p>
        </Alert>
      </div>
    )
  }
  return <Outlet />
}
