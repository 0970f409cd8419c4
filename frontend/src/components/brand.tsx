import { Link } from "react-router";

export function Brand({ className = "" }: { className?: string }) {
  return (
    <Link to="/" className={`brand ${className}`}>
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="#0f766e" />
        <path
          d="M9 17l5 5 9-11"
          fill="none"
          stroke="#fff"
          strokeWidth="3"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <span className="brand-text">Coaching App</span>
    </Link>
  );
}
