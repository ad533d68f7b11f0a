import createMDX from "@next/mdx";

/**
 * Next.js runs inside the lab's own server (server/main.ts), which owns the
 * port and routes /rest, /rpc and /mqtt before Next sees a request.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm run typecheck` checks the whole tree (server, tests, pages) once;
  // the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
};

// Lesson prose (lessons/NN-slug/*.mdx) is imported by the lesson route; its
// components come from mdx-components.tsx. No remark/rehype plugins: under
// Turbopack loader options must be serialisable.
const withMDX = createMDX({});

export default withMDX(nextConfig);
