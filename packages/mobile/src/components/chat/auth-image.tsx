import { Image, type ImageStyle, type StyleProp } from 'react-native';

export interface AuthImageProps {
  uri: string;
  headers: Record<string, string>;
  style: StyleProp<ImageStyle>;
  accessibilityLabel: string;
  testID?: string;
}

/** An image behind authorisation: React Native's Image sends the headers with its request. */
export function AuthImage({ uri, headers, ...rest }: AuthImageProps) {
  return <Image source={{ uri, headers }} resizeMode="cover" accessibilityRole="image" {...rest} />;
}
