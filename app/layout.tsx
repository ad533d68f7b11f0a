import type { Metadata } from "next";
import Link from "next/link";
import { ClassroomBanner } from "@/components/classroom/ClassroomBanner";
import "./globals.css";

export const metadata: Metadata = {
  title: "Wirelab — see how services talk",
  description: "A live lab for REST, Connect/gRPC and MQTT: real traffic, a trace of every hop, and faults to break it on purpose.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            Wirelab
          </Link>
          <nav aria-label="Main">
            {/* Both languages: the layout is shared by every page, and the lessons are read in either. */}
            <Link href="/lessons">
              Lessons · <span lang="zh-CN">课程</span>
            </Link>
            <Link href="/playground">
              Playground · <span lang="zh-CN">演练场</span>
            </Link>
            <Link href="/join">
              Join a class · <span lang="zh-CN">加入课堂</span>
            </Link>
          </nav>
        </header>
        <ClassroomBanner />
        <main>{children}</main>
      </body>
    </html>
  );
}
