import { Badge, Box, Button, Center, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { t } from "../../i18n";
import type { Tile } from "./layout";

/**
 * One person's video. Your own tile is muted (no echo); another's plays with sound, and when the browser refuses
 * sound without a click, it plays muted with a button to turn sound on.
 */
export function VideoTile({ tile, large = false }: { tile: Tile; large?: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [needsClick, setNeedsClick] = useState(false);

  useEffect(() => {
    const element = video.current;
    if (!element || element.srcObject === tile.stream) return;
    element.srcObject = tile.stream;
    if (!tile.stream) return;
    element.muted = tile.self;
    element.play().catch(() => {
      element.muted = true;
      setNeedsClick(!tile.self);
      void element.play().catch(() => undefined);
    });
  }, [tile.stream, tile.self]);

  return (
    <Box
      className="video-tile"
      data-large={large || undefined}
      pos="relative"
      bg="dark.8"
      style={{ borderRadius: "var(--mantine-radius-md)", overflow: "hidden", aspectRatio: "16 / 9" }}
    >
      <video
        ref={video}
        autoPlay
        playsInline
        muted={tile.self}
        aria-label={tile.label}
        data-feed={tile.key}
        style={{ width: "100%", height: "100%", objectFit: "cover", transform: tile.self ? "scaleX(-1)" : undefined }}
      />
      {!tile.stream && (
        <Center pos="absolute" inset={0}>
          <Text c="gray.4" size="sm">
            {t.video.noVideo}
          </Text>
        </Center>
      )}
      <Badge pos="absolute" bottom={8} left={8} color="dark" variant="filled" tt="none">
        {tile.host ? `${tile.label} · ${t.video.host}` : tile.label}
      </Badge>
      {needsClick && (
        <Button
          pos="absolute"
          top={8}
          right={8}
          size="xs"
          onClick={() => {
            if (video.current) video.current.muted = false;
            setNeedsClick(false);
          }}
        >
          {t.video.unmute}
        </Button>
      )}
    </Box>
  );
}
