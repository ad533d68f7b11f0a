import type { Metadata } from "next";
import { TeacherDashboard } from "@/components/classroom/TeacherDashboard";

export const metadata: Metadata = { title: "Teacher dashboard — Wirelab" };

export default function TeachPage() {
  return <TeacherDashboard />;
}
