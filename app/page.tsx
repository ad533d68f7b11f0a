import { LessonsHome } from "@/components/lessons/LessonsHome";
import { requestLocale } from "@/components/lessons/request-locale";

/** Home: what Wirelab is, every lesson with this browser's progress, and the playground. */
export default async function Home() {
  return <LessonsHome initialLocale={await requestLocale()} />;
}
