import { useEffect, useState } from 'react';
import { Image, View } from 'react-native';

import type { AuthImageProps } from './auth-image';

/**
 * The browser preview's variant: react-native-web renders a plain <img>, which cannot send an
 * Authorization header, so the bytes are fetched with it and shown from an object URL.
 */
export function AuthImage({ uri, headers, style, accessibilityLabel, testID }: AuthImageProps) {
  const [src, setSrc] = useState<string | null>(null);
  const key = JSON.stringify(headers);
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    fetch(uri, { headers: JSON.parse(key) as Record<string, string> })
      .then((res) => (res.ok ? res.blob() : Promise.reject(new Error(String(res.status)))))
      .then((blob) => {
        url = URL.createObjectURL(blob);
        if (live) setSrc(url);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [uri, key]);
  if (!src) return <View style={style} testID={testID} />;
  return (
    <Image
      source={{ uri: src }}
      resizeMode="cover"
      accessibilityRole="image"
      accessibilityLabel={accessibilityLabel}
      style={style}
      testID={testID}
    />
  );
}
