/**
 * Next.js runs inside the lab's own server (server/main.ts), which owns the
 * port and routes /rest, /rpc and /mqtt before Next sees a request.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The generated protobuf code and the lab's libraries are plain TS.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
