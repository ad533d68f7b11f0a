import type { Metadata } from "next";
import { TeacherDashboard } from "@/components/classroom/TeacherDashboard";
import { requestLocale } from "@/components/lessons/request-locale";

export const metadata: Metadata = { title: "Teacher dashboard — Wirelab" };

export default async function TeachPage() {
  return <TeacherDashboard initialLocale={await requestLocale()} />;
}
