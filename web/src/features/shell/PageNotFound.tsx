import { Link } from 'react-router-dom'
import { PageHeader } from '../../components/PageHeader.tsx'

export function PageNotFound() {
  return (
    <div className="page page--narrow">
      <PageHeader title="Page not found" description="The address may be mistyped, or the page has moved." />
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </div>
  )
}
