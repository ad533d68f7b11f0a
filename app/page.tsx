import Link from "next/link";

export default function Home() {
  return (
    <div className="home">
      <h1>See how services talk</h1>
      <p className="lede">
        Wirelab runs real services on your machine and lets you call them over <strong>REST</strong> (JSON over HTTP),{" "}
        <strong>Connect, gRPC-web and gRPC</strong> (protobuf) and <strong>MQTT</strong> (a message queue). Every request,
        message and acknowledgement lands in one live trace, with its real bytes and timing.
      </p>
      <ul className="cards">
        <li>
          <Link href="/playground" className="card">
            <h2>Playground →</h2>
            <p>Call the same user service in four modes and watch every hop: browser → gateway → service → broker → consumers.</p>
          </Link>
        </li>
      </ul>
    </div>
  );
}
