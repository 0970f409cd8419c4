import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <div className="card state">
      <div className="state-title">Page not found</div>
      <p>The page you asked for does not exist or was moved.</p>
      <Link className="button" to="/">
        Go to the dashboard
      </Link>
    </div>
  );
}
